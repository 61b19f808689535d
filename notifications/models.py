# In-app notifications, preferences and delivery records arrive with the notifications issue.
