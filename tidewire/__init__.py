"""Tidewire's real-time core: streams, publishing, fan-out and the socket protocol.

Imports no app: apps declare their events and topics here and call `publish`.
"""
