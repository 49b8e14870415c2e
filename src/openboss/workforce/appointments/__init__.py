"""Appointments (TMF646): time slots from working patterns, leave, workload and
travel; book, reschedule, cancel."""
