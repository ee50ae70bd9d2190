"""Course and session entrypoints: the RPCs the gateway calls."""
from services.learning import courses
from shared.entrypoints import rpc


class CourseEntrypoints:
    @rpc
    def courses_create(self, payload: dict) -> dict:
        return courses.create_course(self.db, payload)

    @rpc
    def courses_get(self, course_id: int) -> dict:
        return courses.get_course(self.db, course_id)

    @rpc
    def courses_update(self, course_id: int, payload: dict) -> dict:
        return courses.update_course(self.db, course_id, payload)

    @rpc
    def courses_list(self, query: dict) -> dict:
        return courses.list_courses(self.db, query)

    @rpc
    def courses_cancel(self, course_id: int, payload: dict) -> dict:
        return courses.cancel_course(self.db, course_id, payload)

    @rpc
    def courses_finish(self, course_id: int) -> dict:
        return courses.finish_course(self.db, course_id)

    @rpc
    def course_sessions_schedule(self, course_id: int, payload: dict) -> dict:
        return courses.schedule_sessions(self.db, course_id, payload)

    @rpc
    def course_sessions_list(self, course_id: int, query: dict) -> dict:
        return courses.list_sessions(self.db, course_id, query)

    @rpc
    def course_sessions_get(self, session_id: int) -> dict:
        return courses.get_session(self.db, session_id)

    @rpc
    def course_sessions_update(self, session_id: int, payload: dict) -> dict:
        return courses.reschedule_session(self.db, session_id, payload)

    @rpc
    def course_sessions_cancel(self, session_id: int, payload: dict) -> dict:
        return courses.cancel_session(self.db, session_id, payload)
