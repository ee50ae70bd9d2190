"""The learning service: community schools, courses, enrolment, attendance and completion, party study."""
