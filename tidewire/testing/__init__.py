"""Test support for Tidewire and its apps: real Redis servers and event assertions."""
