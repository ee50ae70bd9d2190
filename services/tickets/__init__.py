"""The tickets service: service tickets 工单 and their closed loop, care plans, assistance cases."""
