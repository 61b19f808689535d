from django import forms


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-time picker; values are read in the user's active time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
