"""The guided assessment wizard, its item editors, and the read-only assessment viewer.

- ``AssessmentWizard(app, assessment_id, parent=None)``: fill in a draft page by page;
  ``completed(int)`` after completion; ``save_drafts()`` before a lock.
- ``AssessmentViewer(app, assessment_id, parent=None)``: a completed assessment, rendered with
  the definition it was made with; "Amend…" starts a correction.
- ``make_item_widget(item)``: the editor for one item of a form.
"""

from btam_desktop.ui.wizard.item_widgets import ItemWidget, make_item_widget
from btam_desktop.ui.wizard.viewer import AssessmentViewer
from btam_desktop.ui.wizard.wizard import AssessmentWizard

__all__ = ["AssessmentViewer", "AssessmentWizard", "ItemWidget", "make_item_widget"]
