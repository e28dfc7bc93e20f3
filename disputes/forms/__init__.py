"""Forms validate input only; they never set stage or status and never save.

One module per screen family; everything is importable from here.
"""

from disputes.forms.cases import (
    CaseFilterForm,
    CaseForm,
    CaseOpenForm,
    CorrectionForm,
    EntryForm,
    EvidenceForm,
    MoveForm,
    NoAnswerNeededForm,
)
from disputes.forms.fields import (
    BoundedDateField,
    BoundedDateTimeField,
    CurrencyField,
    DateInput,
    DateTimeInput,
    SettleMeta,
)
from disputes.forms.letters import LetterForm, VerifyCasefileForm
from disputes.forms.mail import FinalizeForm, ImportApplyForm, ImportUploadForm, MailForm
from disputes.forms.offers import OfferAnswerForm, OfferForm
from disputes.forms.parties import (
    AgreementForm,
    ClientForm,
    MilestoneForm,
    MilestonePaidForm,
    ProjectCreateForm,
    ProjectForm,
    WarningSignForm,
)
from disputes.forms.profile import ProfileForm
from disputes.forms.review import (
    AssignForm,
    CloseReviewForm,
    DecisionForm,
    MediatorInviteForm,
    MediatorNoteForm,
    QueueFilterForm,
    ReviewNoteForm,
    SettlementAnswerForm,
    SettlementForm,
)

__all__ = [
    "AgreementForm",
    "AssignForm",
    "BoundedDateField",
    "BoundedDateTimeField",
    "CaseFilterForm",
    "CaseForm",
    "CaseOpenForm",
    "ClientForm",
    "CloseReviewForm",
    "CorrectionForm",
    "CurrencyField",
    "DateInput",
    "DateTimeInput",
    "DecisionForm",
    "EntryForm",
    "EvidenceForm",
    "FinalizeForm",
    "ImportApplyForm",
    "ImportUploadForm",
    "LetterForm",
    "MailForm",
    "MediatorInviteForm",
    "MediatorNoteForm",
    "MilestoneForm",
    "MilestonePaidForm",
    "MoveForm",
    "NoAnswerNeededForm",
    "OfferAnswerForm",
    "OfferForm",
    "ProfileForm",
    "ProjectCreateForm",
    "ProjectForm",
    "QueueFilterForm",
    "ReviewNoteForm",
    "SettleMeta",
    "SettlementAnswerForm",
    "SettlementForm",
    "VerifyCasefileForm",
    "WarningSignForm",
]
