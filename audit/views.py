from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .access import can_read_audit


@login_required
def workspace_view(request):
    if not can_read_audit(request.user):
        raise PermissionDenied
    return render(request, "audit/workspace.html", {"nav": "audit"})
