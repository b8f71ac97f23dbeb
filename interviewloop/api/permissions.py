from rest_framework.permissions import SAFE_METHODS, BasePermission

from interviewloop.roles import is_recruiter


class IsRecruiter(BasePermission):
    message = "Only recruiters can do this."

    def has_permission(self, request, view) -> bool:
        return is_recruiter(request.user)


class IsRecruiterToWrite(BasePermission):
    """Anyone signed in may read (the view narrows what they see); only recruiters may write."""

    message = "Only recruiters can do this."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or is_recruiter(request.user)
