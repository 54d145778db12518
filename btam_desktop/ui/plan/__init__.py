"""The management plan of a case: the editor with versions and approval, and monitoring."""

from btam_desktop.ui.plan.plan_tab import PlanTab

__all__ = ["PlanTab"]
