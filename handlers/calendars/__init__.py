"""Free/busy readers: Microsoft Graph and Google Calendar, least access, busy times only."""
