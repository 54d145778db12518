"""Print preview for BTAM documents (PDF bytes made by ``btam_desktop.reports``).

Pages are rendered in memory with pypdfium2 (page -> RGB buffer -> QImage) on a worker thread,
only the pages near the visible part of the list, so a 200-page case summary opens at once and
stays light. Nothing is written to disk, except the copy a person saves with "Save as PDF…",
after a warning that the copy is not encrypted.

"Print…" renders each page at the printer's resolution (at most 300 dpi) and paints it on the
printer, one page at a time, so the window never freezes. The caller's callbacks
(``on_printed``, ``on_saved``) record the audit events.

pdfium is not thread-safe: every call into it holds ``reports.base.PDFIUM_LOCK``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, QRectF, QSize, QSizeF, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeySequence,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.reports.base import PDFIUM_LOCK
from btam_desktop.ui.icons import icon
from btam_desktop.ui.messages import NOT_PRINTED, error_message
from btam_desktop.ui.screen_fit import resize_to_fit
from btam_desktop.ui.tasks import BackgroundTask, run_in_background
from btam_desktop.ui.widgets.banner import Banner, BannerKind

#: Screen pixels per PDF point at 100 % (96 dpi screens).
SCREEN_SCALE = 96 / 72
ZOOM_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
FIT_WIDTH = -1.0
PRINT_DPI_LIMIT = 300
PAGE_GAP = 14
KEEP_AROUND = 3  # pages rendered beyond the visible ones, each way
GENERIC_ERROR = NOT_PRINTED


def _error_text(error: BaseException) -> str:
    return error_message(error, GENERIC_ERROR, during="a document preview")


# ---- rendering (worker threads) ----------------------------------------------------------------


class PdfPages:
    """A PDF held in memory, rendered page by page. Safe to use from any thread."""

    def __init__(self, pdf_bytes: bytes) -> None:
        self._bytes = pdf_bytes
        self._doc: Any = None
        self._sizes: list[tuple[float, float]] | None = None

    def _open(self) -> Any:
        if self._doc is None:
            self._doc = pdfium.PdfDocument(self._bytes)
        return self._doc

    def page_sizes(self) -> list[tuple[float, float]]:
        """Each page's (width, height) in points."""
        with PDFIUM_LOCK:
            if self._sizes is None:
                doc = self._open()
                sizes = []
                for index in range(len(doc)):
                    page = doc[index]
                    try:
                        width, height = page.get_size()
                    finally:
                        page.close()
                    sizes.append((float(width), float(height)))
                self._sizes = sizes
            return list(self._sizes)

    def render(self, index: int, scale: float) -> QImage:
        """One page as a QImage, ``scale`` pixels per point (straight from pdfium's RGB
        buffer, without a detour through a Pillow image)."""
        with PDFIUM_LOCK:
            doc = self._open()
            page = doc[index]
            try:
                bitmap = page.render(scale=scale, rev_byteorder=True)
                try:
                    if bitmap.n_channels != 3:
                        raise ValueError(f"unexpected pdfium bitmap ({bitmap.n_channels} channels)")
                    data = bytes(bitmap.buffer)
                    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
                finally:
                    bitmap.close()
            finally:
                page.close()
        image = QImage(data, width, height, stride, QImage.Format.Format_RGB888)
        return image.copy()  # own the pixels: ``data`` goes away

    def close(self) -> None:
        with PDFIUM_LOCK:
            if self._doc is not None:
                self._doc.close()
                self._doc = None


def _render_batch(
    pages: PdfPages, indices: list[int], scale: float, progress: Callable[..., None]
) -> list[tuple[int, QImage]]:
    out = []
    for done, index in enumerate(indices):
        progress(done, len(indices), f"Showing page {index + 1}")
        out.append((index, pages.render(index, scale)))
    progress(len(indices), len(indices), "")
    return out


# ---- widgets -----------------------------------------------------------------------------------


class _PageView(QWidget):
    """One page: white paper with a thin edge; the rendered image once it is there."""

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = number
        self.pixmap: QPixmap | None = None
        self.rendered_zoom = 0.0
        self.setAccessibleName(f"Page {number}")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.rect().adjusted(0, 0, -1, -1)
        painter.fillRect(rect, QColor("#ffffff"))
        if self.pixmap is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(QRectF(rect), self.pixmap, QRectF(self.pixmap.rect()))
        else:
            painter.setPen(QColor("#8a8f98"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"Page {self.number}")
        painter.setPen(QColor("#9aa1ab"))
        painter.drawRect(rect)
        painter.end()


class PrintPreviewDialog(QDialog):
    """Shows a PDF made in memory; prints it or saves an (unencrypted) copy on request."""

    pages_ready = Signal(int)  # the page count, once known
    page_rendered = Signal(int)  # a page index whose image was drawn
    printing_finished = Signal(bool)  # True when every page went to the printer

    def __init__(
        self,
        pdf_bytes: bytes,
        title: str,
        suggested_name: str,
        on_printed: Callable[[], None],
        on_saved: Callable[[], None],
        parent: QWidget | None = None,
        *,
        warning: str = "",
        pending: str = "",
    ) -> None:
        super().__init__(parent)
        # ``pending``: this is a first look (page 1) while the whole document is built; the
        # message says so until :meth:`replace_document` brings the rest.
        self._pending = pending
        self._warning = warning  # characters no font can print, by field (said before printing)
        self._pdf_bytes = pdf_bytes
        self._title = title
        self._suggested_name = suggested_name
        self._on_printed = on_printed
        self._on_saved = on_saved
        self._pages = PdfPages(pdf_bytes)
        self._sizes: list[tuple[float, float]] = []
        self._views: list[_PageView] = []
        self._zoom = 1.0
        self._fit_width = True
        self._render_task: BackgroundTask | None = None
        self._print_state: dict[str, Any] | None = None
        self._closed = False

        self.setWindowTitle(f"Print preview: {title}")
        self.setModal(True)
        resize_to_fit(self, 900, 1000)
        self._build()
        self._rerender_timer = QTimer(self)
        self._rerender_timer.setSingleShot(True)
        self._rerender_timer.setInterval(60)
        self._rerender_timer.timeout.connect(self._schedule)
        self._load()

    # ---- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        bar = QWidget()
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(10, 8, 10, 8)
        bar_layout.setSpacing(6)
        self.zoom_out_button = QToolButton()
        self.zoom_out_button.setText("\u2212")
        self.zoom_out_button.setAccessibleName("Zoom out")
        self.zoom_out_button.setToolTip("Zoom out (Ctrl+-)")
        self.zoom_out_button.clicked.connect(lambda: self._step_zoom(-1))
        self.zoom_box = QComboBox()
        self.zoom_box.setAccessibleName("Zoom")
        self.zoom_box.addItem("Fit width", FIT_WIDTH)
        for step in ZOOM_STEPS:
            self.zoom_box.addItem(f"{round(step * 100)} %", step)
        self.zoom_box.activated.connect(self._zoom_chosen)
        self.zoom_in_button = QToolButton()
        self.zoom_in_button.setText("+")
        self.zoom_in_button.setAccessibleName("Zoom in")
        self.zoom_in_button.setToolTip("Zoom in (Ctrl++)")
        self.zoom_in_button.clicked.connect(lambda: self._step_zoom(1))
        self.page_label = QLabel("Opening the document…")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Showing pages")
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.save_button = QPushButton(icon("pdf"), "&Save as PDF…")
        self.save_button.setToolTip("Save an unencrypted copy of this document (Ctrl+S)")
        self.save_button.clicked.connect(self.save_as_pdf)
        self.print_button = QPushButton(icon("print"), "&Print…")
        self.print_button.setToolTip("Print this document (Ctrl+P)")
        self.print_button.clicked.connect(self.print_document)
        self.print_button.setDefault(True)
        self.close_button = QPushButton("&Close")
        self.close_button.clicked.connect(self.reject)
        for control in (self.zoom_out_button, self.zoom_box, self.zoom_in_button):
            bar_layout.addWidget(control)
        bar_layout.addSpacing(12)
        bar_layout.addWidget(self.page_label)
        bar_layout.addWidget(self.progress)
        self.pending_label = QLabel(self._pending)
        self.pending_label.setAccessibleName("Preparing the other pages")
        self.pending_label.setVisible(bool(self._pending))
        bar_layout.addWidget(self.pending_label)
        bar_layout.addStretch(1)
        for button in (self.save_button, self.print_button, self.close_button):
            bar_layout.addWidget(button)
        layout.addWidget(bar)
        self.warning_banner = Banner(BannerKind.WARNING, self._warning)
        self.warning_banner.setAccessibleName("Characters that cannot be printed")
        self.warning_banner.setVisible(bool(self._warning))
        self.warning_banner.action_button().setAutoDefault(False)  # Enter still prints
        layout.addWidget(self.warning_banner)

        self.page_list = QScrollArea()
        self.page_list.setWidgetResizable(True)
        self.page_list.setAccessibleName("Pages")
        self.page_list.viewport().setBackgroundRole(QPalette.ColorRole.Mid)
        self.page_list.viewport().setAutoFillBackground(True)
        self.holder = QWidget()
        self.holder.setBackgroundRole(QPalette.ColorRole.Mid)
        self.holder.setAutoFillBackground(True)
        self.pages_layout = QVBoxLayout(self.holder)
        self.pages_layout.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        self.pages_layout.setSpacing(PAGE_GAP)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.page_list.setWidget(self.holder)
        self.page_list.verticalScrollBar().valueChanged.connect(self._viewport_moved)
        self.page_list.horizontalScrollBar().valueChanged.connect(self._viewport_moved)
        layout.addWidget(self.page_list, 1)

        for keys, slot in (
            (QKeySequence.StandardKey.Print, self.print_document),
            (QKeySequence.StandardKey.Save, self.save_as_pdf),
            (QKeySequence.StandardKey.ZoomIn, lambda: self._step_zoom(1)),
            (QKeySequence("Ctrl+="), lambda: self._step_zoom(1)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self._step_zoom(-1)),
            (QKeySequence("Ctrl+0"), lambda: self.set_zoom(1.0)),
        ):
            QShortcut(QKeySequence(keys), self, slot)
        self._set_busy(True)
        self.zoom_box.setCurrentIndex(0)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.print_button, self.save_button):
            widget.setEnabled(not busy)

    # ---- loading and rendering -------------------------------------------------------------------

    def _load(self) -> None:
        run_in_background(
            self._pages.page_sizes,
            on_done=self._loaded,
            on_error=self._failed,
            parent=self,
        )

    def _loaded(self, sizes: list[tuple[float, float]]) -> None:
        self._sizes = sizes
        for number in range(1, len(sizes) + 1):
            view = _PageView(number, self.holder)
            self._views.append(view)
            self.pages_layout.addWidget(view, 0, Qt.AlignmentFlag.AlignHCenter)
        self._apply_zoom()
        self._update_page_label()
        self._set_busy(bool(self._pending))  # no printing a first look
        self.pages_ready.emit(len(sizes))
        self._schedule()

    def _failed(self, error: BaseException) -> None:
        self.page_label.setText("The document could not be shown.")
        QMessageBox.warning(self, "Print preview", _error_text(error))

    @property
    def page_count(self) -> int:
        return len(self._sizes)

    @property
    def is_pending(self) -> bool:
        """True while this shows a first look and the whole document is still being built."""
        return bool(self._pending)

    def pending_progress(self, done: int, total: int, message: str) -> None:
        if self._pending and total:
            self.pending_label.setText(f"{self._pending} ({min(done, total)} of about {total})")

    def replace_document(self, pdf_bytes: bytes) -> None:
        """Show the whole document in place of the first look; printing is possible again."""
        if self._closed:
            return
        old = self._pages
        self._pdf_bytes = pdf_bytes
        self._pages = PdfPages(pdf_bytes)
        for view in self._views:
            view.hide()
            view.deleteLater()
        self._views = []
        self._sizes = []
        old.close()
        self._pending = ""
        self.pending_label.hide()
        self.page_label.setText("Opening the document…")
        self._load()

    def pending_failed(self, error: BaseException) -> None:
        self._pending = ""
        self.pending_label.setText("The other pages could not be prepared.")
        self._set_busy(True)
        QMessageBox.warning(self, "Print preview", _error_text(error))

    def is_rendered(self, index: int) -> bool:
        view = self._views[index]
        return view.pixmap is not None and view.rendered_zoom == self._effective_zoom()

    def _effective_zoom(self) -> float:
        if self._fit_width and self._sizes:
            widest = max(width for width, _ in self._sizes)
            # the list's width less a scroll bar, so the zoom does not change when one appears
            area = self.page_list
            scroll_bar = area.verticalScrollBar().sizeHint().width()
            room = area.width() - 2 * area.frameWidth() - scroll_bar - 2 * PAGE_GAP
            return float(max(0.2, min(4.0, room / (widest * SCREEN_SCALE))))
        return self._zoom

    def _apply_zoom(self) -> None:
        zoom = self._effective_zoom()
        for view, (width, height) in zip(self._views, self._sizes, strict=True):
            view.setFixedSize(
                QSize(round(width * SCREEN_SCALE * zoom), round(height * SCREEN_SCALE * zoom))
            )
        self._rerender_timer.start()

    def _page_spans(self) -> list[tuple[float, float]]:
        """Each page's top and bottom in the list, worked out from the page sizes (so it is
        right before Qt has laid the pages out)."""
        zoom = self._effective_zoom()
        spans = []
        y = float(PAGE_GAP)
        for _width, height in self._sizes:
            bottom = y + round(height * SCREEN_SCALE * zoom)
            spans.append((y, bottom))
            y = bottom + PAGE_GAP
        return spans

    def visible_pages(self) -> list[int]:
        """Indices of the pages in the visible part of the list, and one more each way."""
        if not self._views:
            return []
        top = self.page_list.verticalScrollBar().value()
        bottom = top + max(self.page_list.viewport().height(), 1)
        spans = self._page_spans()
        shown = [i for i, (y0, y1) in enumerate(spans) if y1 >= top and y0 <= bottom] or [0]
        first = max(0, shown[0] - 1)
        last = min(len(self._views) - 1, shown[-1] + 1)
        return list(range(first, last + 1))

    def _viewport_moved(self) -> None:
        self._update_page_label()
        self._rerender_timer.start()

    def _update_page_label(self) -> None:
        if not self._views:
            return
        top = self.page_list.verticalScrollBar().value() + self.page_list.viewport().height() // 3
        current = next(
            (i for i, (_y0, y1) in enumerate(self._page_spans()) if y1 >= top),
            len(self._views) - 1,
        )
        total = str(len(self._views)) if not self._pending else "\u2026"
        self.page_label.setText(f"Page {current + 1} of {total}")

    def _schedule(self) -> None:
        """Render the visible pages that are missing at this zoom (one batch at a time)."""
        if self._closed or not self._views:
            return
        if self._render_task is not None and not self._render_task.is_finished:
            return
        zoom = self._effective_zoom()
        wanted = [i for i in self.visible_pages() if not self.is_rendered(i)]
        self._forget_far_pages()
        if not wanted:
            self.progress.hide()
            return
        dpr = self.devicePixelRatioF() or 1.0
        scale = SCREEN_SCALE * zoom * dpr
        pages = self._pages
        self.progress.setRange(0, len(wanted))
        self.progress.setValue(0)
        self.progress.setVisible(len(wanted) > 1 or self.page_count > 10)

        def work(progress: Callable[..., None]) -> list[tuple[int, QImage]]:
            return _render_batch(pages, wanted, scale, progress)

        def done(images: list[tuple[int, QImage]]) -> None:
            if pages is not self._pages:  # the document was replaced meanwhile
                self._render_task = None
                self._schedule()
                return
            for index, image in images:
                view = self._views[index]
                pixmap = QPixmap.fromImage(image)
                pixmap.setDevicePixelRatio(dpr)
                view.pixmap = pixmap
                view.rendered_zoom = zoom
                view.update()
                self.page_rendered.emit(index)
            self._render_task = None
            self._schedule()

        def failed(error: BaseException) -> None:
            self._render_task = None
            self.progress.hide()
            self._failed(error)

        self._render_task = run_in_background(
            work,
            on_done=done,
            on_error=failed,
            on_progress=lambda d, t, _m: self.progress.setValue(d),
            parent=self,
        )

    def _forget_far_pages(self) -> None:
        visible = self.visible_pages()
        if not visible:
            return
        low, high = visible[0] - KEEP_AROUND, visible[-1] + KEEP_AROUND
        for index, view in enumerate(self._views):
            if view.pixmap is not None and not low <= index <= high:
                view.pixmap = None
                view.rendered_zoom = 0.0

    # ---- zoom ------------------------------------------------------------------------------------

    def set_zoom(self, zoom: float) -> None:
        """``zoom`` 1.0 is 100 %; ``FIT_WIDTH`` fits the widest page to the window."""
        self._fit_width = zoom == FIT_WIDTH
        if not self._fit_width:
            self._zoom = max(0.25, min(4.0, zoom))
        index = self.zoom_box.findData(zoom)
        if index >= 0:
            self.zoom_box.setCurrentIndex(index)
        self._apply_zoom()

    def zoom(self) -> float:
        return self._effective_zoom()

    def _zoom_chosen(self, index: int) -> None:
        self.set_zoom(float(self.zoom_box.itemData(index)))

    def _step_zoom(self, direction: int) -> None:
        current = self._effective_zoom()
        if direction > 0:
            steps = [s for s in ZOOM_STEPS if s > current + 0.01]
            self.set_zoom(steps[0] if steps else ZOOM_STEPS[-1])
        else:
            steps = [s for s in ZOOM_STEPS if s < current - 0.01]
            self.set_zoom(steps[-1] if steps else ZOOM_STEPS[0])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_width and self._views:
            self._apply_zoom()

    # ---- saving ----------------------------------------------------------------------------------

    def save_as_pdf(self) -> None:
        """Warn that the copy is not encrypted, ask where, write the PDF, call ``on_saved``."""
        if not self._pdf_bytes or not self.save_button.isEnabled():
            return
        answer = QMessageBox.warning(
            self,
            "Save an unencrypted copy?",
            "The saved PDF is not encrypted. Anyone who can open the folder you choose can "
            "read it.\n\nSave it only where the records policy allows (not a shared or cloud "
            "folder), and delete it once it is no longer needed. Saving it is recorded in "
            "the audit trail.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Save:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = str(Path(folder) / self._suggested_name) if folder else self._suggested_name
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save as PDF", start, "PDF documents (*.pdf)"
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            target.write_bytes(self._pdf_bytes)
        except OSError as error:
            reason = error.strerror or "the folder cannot be written"
            QMessageBox.critical(
                self,
                "Not saved",
                f"The PDF could not be saved there ({reason}). Choose another folder.",
            )
            return
        self._on_saved()

    # ---- printing --------------------------------------------------------------------------------

    def _page_size(self) -> QPageSize:
        width, height = self._sizes[0] if self._sizes else (612.0, 792.0)
        for known in (QPageSize.PageSizeId.Letter, QPageSize.PageSizeId.A4):
            size = QPageSize(known).size(QPageSize.Unit.Point)
            if abs(size.width() - width) < 2 and abs(size.height() - height) < 2:
                return QPageSize(known)
        return QPageSize(QSizeF(width, height), QPageSize.Unit.Point, "Document")

    def print_document(self) -> None:
        """Ask for a printer (the system's print dialog), then print."""
        if not self._sizes or not self.print_button.isEnabled():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._title)
        printer.setFullPage(True)
        printer.setPageSize(self._page_size())
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        printer.setFromTo(1, self.page_count)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print")
        dialog.setMinMax(1, self.page_count)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        first, last = printer.fromPage(), printer.toPage()
        pages = None
        if first > 0 and last >= first:
            pages = list(range(first - 1, min(last, self.page_count)))
        self.print_to(printer, pages)

    def print_to(self, device: QPagedPaintDevice, pages: list[int] | None = None) -> None:
        """Paint ``pages`` (indices; all by default) on ``device`` (a QPrinter, or a
        QPdfWriter in tests), rendering each page in the background at the device's resolution
        (at most 300 dpi). Calls ``on_printed`` when every page is done."""
        if self._print_state is not None or not self._sizes:
            return
        indices = pages if pages is not None else list(range(self.page_count))
        if not indices:
            return
        dpi = min(device.logicalDpiX() or 300, PRINT_DPI_LIMIT)
        painter = QPainter()
        if not painter.begin(device):
            QMessageBox.warning(
                self, "Print", "The printer could not be started. Check that it is ready."
            )
            return
        progress = QProgressDialog("Printing…", "Cancel", 0, len(indices), self)
        progress.setWindowTitle("Printing")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        self._print_state = {
            "device": device,
            "painter": painter,
            "indices": indices,
            "next": 0,
            "scale": dpi / 72,
            "progress": progress,
            "cancelled": False,
        }
        progress.canceled.connect(self._cancel_printing)
        self._set_busy(True)
        self._print_next()

    def _cancel_printing(self) -> None:
        if self._print_state is not None:
            self._print_state["cancelled"] = True

    def _print_next(self) -> None:
        state = self._print_state
        if state is None:
            return
        position = state["next"]
        indices: list[int] = state["indices"]
        if state["cancelled"] or self._closed:
            self._finish_printing(False)
            return
        if position >= len(indices):
            self._finish_printing(True)
            return
        index = indices[position]
        state["progress"].setLabelText(f"Printing page {position + 1} of {len(indices)}…")
        state["progress"].setValue(position)
        pages, scale = self._pages, state["scale"]

        def work() -> QImage:
            return pages.render(index, scale)

        def done(image: QImage) -> None:
            if self._print_state is not state or state["cancelled"]:
                self._finish_printing(False)
                return
            device: QPagedPaintDevice = state["device"]
            painter: QPainter = state["painter"]
            if position > 0 and not device.newPage():
                self._finish_printing(False)
                return
            target = QRect(0, 0, device.width(), device.height())
            fitted = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (target.width() - fitted.width()) // 2
            y = (target.height() - fitted.height()) // 2
            painter.drawImage(QRect(x, y, fitted.width(), fitted.height()), image)
            state["next"] = position + 1
            self._print_next()

        def failed(error: BaseException) -> None:
            self._finish_printing(False)
            QMessageBox.warning(self, "Print", _error_text(error))

        run_in_background(work, on_done=done, on_error=failed, parent=self)

    def _finish_printing(self, complete: bool) -> None:
        state, self._print_state = self._print_state, None
        if state is None:
            return
        painter: QPainter = state["painter"]
        device = state["device"]
        if not complete and isinstance(device, QPrinter):
            device.abort()
        if painter.isActive():
            painter.end()
        state["progress"].close()
        state["progress"].deleteLater()
        self._set_busy(False)
        if complete:
            self._on_printed()
        self.printing_finished.emit(complete)

    # ---- closing ---------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        if self._print_state is not None:
            self._cancel_printing()
            self._finish_printing(False)
        self._closed = True
        if self._render_task is not None:
            self._render_task.cancel()
        for view in self._views:
            view.pixmap = None
        self._pages.close()
        super().done(result)


def build_in_background(
    builder: Callable[..., bytes],
    *,
    parent: QWidget,
    on_done: Callable[[bytes], None],
    label: str = "Preparing the document…",
) -> BackgroundTask:
    """Run a document builder off the GUI thread behind a progress dialog.

    If ``builder`` takes a ``progress`` parameter (``functools.partial(build_case_summary, app,
    case_id)`` does), the dialog shows its progress; Cancel stops it. ``on_done(pdf_bytes)`` is
    called on the main thread; an error is shown in a message box.
    """
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Preparing the document")
    dialog.setMinimumWidth(380)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def finish() -> None:
        dialog.close()
        dialog.deleteLater()

    def progressed(done: int, total: int, message: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        if message:
            dialog.setLabelText(message)

    def built(pdf: bytes) -> None:
        finish()
        on_done(pdf)

    def failed(error: BaseException) -> None:
        finish()
        QMessageBox.warning(parent, "The document could not be made", _error_text(error))

    task = run_in_background(
        builder, on_done=built, on_error=failed, on_progress=progressed, parent=parent
    )

    def cancelled() -> None:
        task.cancel()
        finish()

    dialog.canceled.connect(cancelled)
    return task


__all__ = ["PdfPages", "PrintPreviewDialog", "build_in_background"]
