"""The visitor's workspace on the Train page: what it holds, delete, export and import."""

import streamlit as st

from forecasting.limits import MIB, server_limits
from forecasting.workspace import StoredRun, WorkspaceError, WorkspaceStore
from ui import state
from ui.state import text
from ui.text import plain


def mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB"


def workspace_panel() -> None:
    limits = server_limits()
    with st.expander(text("workspace.title")):
        st.caption(text("workspace.intro", days=limits.workspace_days))
        stored = state.runs()
        used = state.store().usage(state.workspace())
        st.caption(
            text(
                "workspace.usage",
                runs=len(stored),
                used=mib(used),
                quota=mib(limits.workspace_bytes),
            )
        )
        if stored:
            delete_runs(stored)
            export(state.store(), state.workspace())
        import_zip(limits.workspace_bytes)
        delete_everything()


def export(store: WorkspaceStore, key: str) -> None:
    """The zip is made when the button is pressed, in a thread of its own, not on every run."""
    st.download_button(
        text("workspace.export"),
        lambda: store.export_zip(key),
        "forecast-lab-workspace.zip",
        "application/zip",
        help=text("workspace.export_help"),
        key="workspace-export",
    )


def delete_runs(stored: list[StoredRun]) -> None:
    names = {run.id: run.name for run in stored}
    chosen = st.multiselect(
        text("workspace.delete_runs"),
        list(names),
        format_func=names.get,
        help=text("workspace.delete_runs_help"),
        key="workspace-delete",
    )
    if chosen and st.button(text("workspace.delete_button"), key="workspace-delete-button"):
        state.delete_runs(chosen)
        state.set_notice("success", text("workspace.deleted", count=len(chosen)))
        st.rerun()


def import_zip(quota: int) -> None:
    upload = st.file_uploader(
        text("workspace.import"),
        type=["zip"],
        key="workspace-import",
        help=text("workspace.import_help"),
        max_upload_size=-(-quota // MIB),
    )
    if upload is None or not state.first_time(upload.file_id):
        return
    try:
        added = state.import_runs(upload.getvalue())
    except WorkspaceError as err:
        st.error(plain(err))
        return
    state.set_notice("success", text("workspace.imported", count=len(added)))
    st.rerun()


def delete_everything() -> None:
    sure = st.checkbox(text("workspace.delete_all_confirm"), key="workspace-sure")
    if st.button(text("workspace.delete_all"), disabled=not sure, key="workspace-delete-all"):
        state.delete_workspace()
        state.set_notice("info", text("workspace.deleted_all"))
        st.rerun()
