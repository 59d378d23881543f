"""People and who they are: HRIS records, platform identities, merging duplicates, admins."""
