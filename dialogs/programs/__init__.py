"""Programs: create and edit, texts, skills, career stages, program admins, announcements."""
