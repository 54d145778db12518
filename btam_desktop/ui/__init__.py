"""The PySide6 user interface: windows, dialogs, the wizard, item models and shared widgets.

This is the only layer that imports QtWidgets. It calls services; it never writes SQL.
"""
