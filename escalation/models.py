# Customer types, escalation rules, the desk and approvals arrive with the escalation issue.
