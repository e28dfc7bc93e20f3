from django.urls import path

from disputes.views import cases, clients, dashboard, evidence, projects

app_name = "disputes"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Clients
    path("clients/", clients.client_list, name="client_list"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/<int:pk>/", clients.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", clients.client_edit, name="client_edit"),
    path("clients/<int:pk>/warning-signs/", clients.warning_sign_add, name="warning_sign_add"),
    # Projects, milestones, scope agreements
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:pk>/milestones/", projects.milestone_add, name="milestone_add"),
    path("projects/<int:pk>/milestones/<int:milestone_pk>/paid/", projects.milestone_paid, name="milestone_paid"),
    path("projects/<int:pk>/agreements/new/", projects.agreement_create, name="agreement_create"),
    path("projects/<int:pk>/agreements/compare/", projects.agreement_compare, name="agreement_compare"),
    path("projects/<int:pk>/agreements/<int:version>/", projects.agreement_detail, name="agreement_detail"),
    # Cases, timeline, evidence
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", cases.case_open, name="case_open"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/move/<slug:move>/", cases.case_move, name="case_move"),
    path("cases/<int:pk>/entries/", cases.entry_add, name="entry_add"),
    path("cases/<int:pk>/entries/<int:entry_pk>/correct/", cases.entry_correct, name="entry_correct"),
    path(
        "cases/<int:pk>/entries/<int:entry_pk>/no-answer-needed/",
        cases.concern_dismiss,
        name="concern_dismiss",
    ),
    path("cases/<int:pk>/evidence/new/", evidence.evidence_upload, name="evidence_upload"),
    path("cases/<int:pk>/evidence/<int:evidence_pk>/", evidence.evidence_detail, name="evidence_detail"),
    path("cases/<int:pk>/evidence/<int:evidence_pk>/download/", evidence.evidence_download, name="evidence_download"),
    path(
        "cases/<int:pk>/evidence/<int:evidence_pk>/thumbnail/", evidence.evidence_thumbnail, name="evidence_thumbnail"
    ),
]
