"""Reusable widgets shared by the windows and dialogs, one module each.

Import from the module (``ui.widgets.banner``, ``ui.widgets.level``…): the sign-in screen needs
only a few of them before its first paint, so this package loads none of them itself.
"""
