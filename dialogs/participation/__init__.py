"""Taking part: pause, leave, contact the program team, leavers after an HRIS import."""
