"""The roadmap of a school's programme: rows, statuses, attachments, progress, approval."""
