"""The seed's REST API: every write is saved, then broadcast to the `user_updates` group."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import User
from .serializers import UserSerializer


def broadcast_user_update(action: str, user_data: dict) -> None:
    channel_layer = get_channel_layer()
    async_to_sync(channel_layer.group_send)(
        "user_updates",
        {"type": "user_update", "data": {"action": action, "user": user_data}},
    )


@api_view(["GET", "POST"])
def user_list(request):
    if request.method == "GET":
        serializer = UserSerializer(User.objects.all(), many=True)
        return Response(serializer.data)
    serializer = UserSerializer(data=request.data)
    if serializer.is_valid():
        serializer.save()
        broadcast_user_update("create", serializer.data)
        return Response(serializer.data, status=status.HTTP_201_CREATED)
    return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)


@api_view(["GET", "PATCH", "DELETE"])
def user_detail(request, pk):
    try:
        user = User.objects.get(pk=pk)
    except User.DoesNotExist:
        return Response({"error": "User not found"}, status=status.HTTP_404_NOT_FOUND)

    if request.method == "GET":
        return Response(UserSerializer(user).data)
    if request.method == "PATCH":
        serializer = UserSerializer(user, data=request.data, partial=True)
        if serializer.is_valid():
            serializer.save()
            broadcast_user_update("update", serializer.data)
            return Response(serializer.data)
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
    user_data = UserSerializer(user).data
    user.delete()
    broadcast_user_update("delete", user_data)
    return Response(status=status.HTTP_204_NO_CONTENT)
