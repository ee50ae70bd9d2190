"""Schools, venues, teachers, courses and sessions routes: each names its roles and schemas, then
makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.learning.domain.catalogue import MANAGER_ROLES
from services.learning.schemas.courses import (
    CourseCancelSchema,
    CourseCreateSchema,
    CourseListQuerySchema,
    CoursePageSchema,
    CourseSchema,
    CourseUpdateSchema,
    SessionCancelSchema,
    SessionCreateSchema,
    SessionListQuerySchema,
    SessionPageSchema,
    SessionSchema,
    SessionUpdateSchema,
)
from services.learning.schemas.schools import (
    SchoolCreateSchema,
    SchoolListQuerySchema,
    SchoolPageSchema,
    SchoolSchema,
    SchoolUpdateSchema,
    TeacherCreateSchema,
    TeacherListQuerySchema,
    TeacherPageSchema,
    TeacherSchema,
    VenueCreateSchema,
    VenueListQuerySchema,
    VenuePageSchema,
    VenueSchema,
    VenueUpdateSchema,
)

SCHOOLS = "/api/v1/schools"
VENUES = "/api/v1/venues"
TEACHERS = "/api/v1/teachers"
COURSES = "/api/v1/courses"
SESSIONS = "/api/v1/sessions"


def created(result: dict, collection: str):
    return json_response(result, status=201, headers={"Location": f"{collection}/{result['id']}"})


class SchoolRoutes:
    # --- schools ---
    @route("GET", SCHOOLS, query=SchoolListQuerySchema, response=SchoolPageSchema, tag="schools",
           summary="Schools in your scope (filter by kind, territory code)")
    def list_schools(self, request):
        return self.learning.schools_list(query_args(request))

    @route("POST", SCHOOLS, roles=MANAGER_ROLES, body=SchoolCreateSchema, response=SchoolSchema,
           status=201, tag="schools",
           summary="Create a school 社区学校 / 市民学校 / 党校, or a branch school of one")
    def create_school(self, request):
        return created(self.learning.schools_create(read_json(request)), SCHOOLS)

    @route("GET", SCHOOLS + "/<int:id>", response=SchoolSchema, tag="schools",
           summary="One school")
    def get_school(self, request, id):
        return self.learning.schools_get(id)

    @route("PATCH", SCHOOLS + "/<int:id>", roles=MANAGER_ROLES, body=SchoolUpdateSchema,
           response=SchoolSchema, tag="schools",
           summary="Change a school's name, address, founding day or opening hours")
    def update_school(self, request, id):
        return self.learning.schools_update(id, read_json(request))

    # --- venues ---
    @route("GET", VENUES, query=VenueListQuerySchema, response=VenuePageSchema, tag="schools",
           summary="Venues in your scope (filter by school, territory code)")
    def list_venues(self, request):
        return self.learning.venues_list(query_args(request))

    @route("POST", VENUES, roles=MANAGER_ROLES, body=VenueCreateSchema, response=VenueSchema,
           status=201, tag="schools", summary="Add a venue (a classroom, an activity centre)")
    def create_venue(self, request):
        return created(self.learning.venues_create(read_json(request)), VENUES)

    @route("GET", VENUES + "/<int:id>", response=VenueSchema, tag="schools", summary="One venue")
    def get_venue(self, request, id):
        return self.learning.venues_get(id)

    @route("PATCH", VENUES + "/<int:id>", roles=MANAGER_ROLES, body=VenueUpdateSchema,
           response=VenueSchema, tag="schools",
           summary="Change a venue's name, address or capacity")
    def update_venue(self, request, id):
        return self.learning.venues_update(id, read_json(request))

    # --- teachers ---
    @route("GET", TEACHERS, query=TeacherListQuerySchema, response=TeacherPageSchema,
           tag="schools", summary="Teachers in your scope (filter by kind, territory code)")
    def list_teachers(self, request):
        return self.learning.teachers_list(query_args(request))

    @route("POST", TEACHERS, roles=MANAGER_ROLES, body=TeacherCreateSchema,
           response=TeacherSchema, status=201, tag="schools",
           summary="Add a teacher: a membership volunteer (volunteer_id) or someone hired (name)")
    def create_teacher(self, request):
        return created(self.learning.teachers_create(read_json(request)), TEACHERS)

    @route("GET", TEACHERS + "/<int:id>", response=TeacherSchema, tag="schools",
           summary="One teacher")
    def get_teacher(self, request, id):
        return self.learning.teachers_get(id)

    # --- courses ---
    @route("GET", COURSES, query=CourseListQuerySchema, response=CoursePageSchema, tag="courses",
           summary="Courses you can see (filter by category, target group, format, school, "
                   "status, territory code, open for enrolment now)")
    def list_courses(self, request):
        return self.learning.courses_list(query_args(request))

    @route("POST", COURSES, roles=MANAGER_ROLES, body=CourseCreateSchema, response=CourseSchema,
           status=201, tag="courses", summary="Create a course at a school")
    def create_course(self, request):
        return created(self.learning.courses_create(read_json(request)), COURSES)

    @route("GET", COURSES + "/<int:id>", response=CourseSchema, tag="courses",
           summary="One course: teacher, seats taken and left, waitlist, sessions, window open")
    def get_course(self, request, id):
        return self.learning.courses_get(id)

    @route("PATCH", COURSES + "/<int:id>", roles=MANAGER_ROLES, body=CourseUpdateSchema,
           response=CourseSchema, tag="courses",
           summary="Change a course's title, description or capacity (a larger capacity offers "
                   "the new seats to the waitlist)")
    def update_course(self, request, id):
        return self.learning.courses_update(id, read_json(request))

    @route("POST", COURSES + "/<int:id>/cancellation", roles=MANAGER_ROLES,
           body=CourseCancelSchema, response=CourseSchema, tag="courses",
           summary="Cancel a course and its sessions still scheduled")
    def cancel_course(self, request, id):
        return self.learning.courses_cancel(id, read_json(request))

    @route("POST", COURSES + "/<int:id>/finish", roles=MANAGER_ROLES, response=CourseSchema,
           tag="courses", summary="Finish a course that has run (no session still to come)")
    def finish_course(self, request, id):
        return self.learning.courses_finish(id)

    # --- sessions ---
    @route("GET", COURSES + "/<int:id>/sessions", query=SessionListQuerySchema,
           response=SessionPageSchema, tag="courses", summary="A course's sessions in time order")
    def list_course_sessions(self, request, id):
        return self.learning.course_sessions_list(id, query_args(request))

    @route("POST", COURSES + "/<int:id>/sessions", roles=MANAGER_ROLES, body=SessionCreateSchema,
           response=SessionSchema, status=201, tag="courses",
           summary="Schedule a session, or {\"sessions\": [...]} (up to 60, all or none); a venue "
                   "or teacher already booked at an overlapping time is a 409 naming the session")
    def schedule_course_sessions(self, request, id):
        return json_response(self.learning.course_sessions_schedule(id, read_json(request)),
                             status=201)

    @route("GET", SESSIONS + "/<int:id>", response=SessionSchema, tag="courses",
           summary="One session of a course")
    def get_course_session(self, request, id):
        return self.learning.course_sessions_get(id)

    @route("PATCH", SESSIONS + "/<int:id>", roles=MANAGER_ROLES, body=SessionUpdateSchema,
           response=SessionSchema, tag="courses",
           summary="Reschedule a session (time, venue, teacher; clashes refused as when booking) "
                   "or change its topic")
    def update_course_session(self, request, id):
        return self.learning.course_sessions_update(id, read_json(request))

    @route("POST", SESSIONS + "/<int:id>/cancellation", roles=MANAGER_ROLES,
           body=SessionCancelSchema, response=SessionSchema, tag="courses",
           summary="Cancel a scheduled session (its venue and teacher are free again)")
    def cancel_course_session(self, request, id):
        return self.learning.course_sessions_cancel(id, read_json(request))

