"""Meetings and their decisions (会议议定事项, design §12). A decision is a work item with a
`source_meeting`: its state, reminders, lag explanations and the bulletin follow it as they
follow every work item. Decisions belong to one policy record, “会议议定事项”, made on first use."""

DECISIONS_POLICY = "会议议定事项"
