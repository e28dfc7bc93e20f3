from django.urls import path

from disputes.views import cases, clients, dashboard, evidence, letters, mediation, profile, projects, record, staff

app_name = "disputes"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("profile/", profile.profile, name="profile"),
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
        "cases/<int:pk>/evidence/<int:evidence_pk>/shared/",
        evidence.evidence_shared_download,
        name="evidence_shared_download",
    ),
    path(
        "cases/<int:pk>/evidence/<int:evidence_pk>/thumbnail/", evidence.evidence_thumbnail, name="evidence_thumbnail"
    ),
    path("cases/<int:pk>/mediators/", mediation.case_mediators, name="case_mediators"),
    path(
        "cases/<int:pk>/mediators/invitations/<int:invitation_pk>/revoke/",
        mediation.invitation_revoke,
        name="invitation_revoke",
    ),
    path("cases/<int:pk>/mediators/<int:access_pk>/revoke/", mediation.access_revoke, name="access_revoke"),
    path(
        "cases/<int:pk>/settlements/<int:proposal_pk>/<slug:answer>/",
        mediation.settlement_answer,
        name="settlement_answer",
    ),
    # Letters and the case file
    path("cases/<int:pk>/letters/new/<slug:kind>/", letters.letter_new, name="letter_new"),
    path("cases/<int:pk>/letters/<int:letter_pk>/", letters.letter_detail, name="letter_detail"),
    path("cases/<int:pk>/letters/<int:letter_pk>/edit/", letters.letter_edit, name="letter_edit"),
    path("cases/<int:pk>/letters/<int:letter_pk>/finalize/", letters.letter_finalize, name="letter_finalize"),
    path("cases/<int:pk>/letters/<int:letter_pk>/discard/", letters.letter_discard, name="letter_discard"),
    path("cases/<int:pk>/letters/<int:letter_pk>/pdf/", letters.letter_pdf, name="letter_pdf"),
    path("cases/<int:pk>/casefile/", letters.casefile_export, name="casefile_export"),
    path("casefile/verify/", letters.casefile_verify_page, name="casefile_verify"),
    path("signing-key/", record.signing_key, name="signing_key"),
    path("signing-key.pem", record.signing_key_pem, name="signing_key_pem"),
    path("signing-keys.json", record.signing_keys_json, name="signing_keys_json"),
    path("staff/cases/<int:pk>/casefile/", letters.staff_casefile_export, name="staff_casefile_export"),
    # Staff review
    path("staff/queue/", staff.queue, name="staff_queue"),
    path("staff/outbox/", staff.outbox, name="staff_outbox"),
    path("staff/outbox/<slug:kind>/<int:pk>/retry/", staff.outbox_retry_row, name="staff_outbox_retry"),
    path("staff/cases/<int:pk>/", staff.case_view_page, name="staff_case"),
    path("staff/cases/<int:pk>/evidence/<int:evidence_pk>/", staff.evidence_download, name="staff_evidence"),
    path(
        "staff/cases/<int:pk>/evidence/<int:evidence_pk>/thumbnail/",
        staff.evidence_thumbnail,
        name="staff_evidence_thumbnail",
    ),
    path("staff/cases/<int:pk>/check-evidence/", staff.evidence_check, name="staff_evidence_check"),
    path("staff/cases/<int:pk>/check-chain/", record.chain_check, name="staff_chain_check"),
    path("staff/cases/<int:pk>/assign/", staff.review_assign, name="review_assign"),
    path("staff/cases/<int:pk>/note/", staff.review_note, name="review_note"),
    path("staff/cases/<int:pk>/decision/", staff.review_decide, name="review_decide"),
    path("staff/cases/<int:pk>/close/", staff.review_close, name="review_close"),
    # Mediators
    path("mediation/invitations/<str:token>/", mediation.invitation, name="mediation_invitation"),
    path("mediation/cases/<int:pk>/", mediation.mediation_case, name="mediation_case"),
    path("mediation/cases/<int:pk>/note/", mediation.mediation_note, name="mediation_note"),
    path("mediation/cases/<int:pk>/settlement/", mediation.mediation_propose, name="mediation_propose"),
    path(
        "mediation/cases/<int:pk>/evidence/<int:evidence_pk>/",
        mediation.mediation_evidence,
        name="mediation_evidence",
    ),
    path(
        "mediation/cases/<int:pk>/evidence/<int:evidence_pk>/thumbnail/",
        mediation.mediation_evidence_thumbnail,
        name="mediation_evidence_thumbnail",
    ),
]
