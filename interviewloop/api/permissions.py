from rest_framework.permissions import BasePermission

from interviewloop.roles import is_recruiter


class IsRecruiter(BasePermission):
    message = "Only recruiters can do this."

    def has_permission(self, request, view) -> bool:
        return is_recruiter(request.user)
