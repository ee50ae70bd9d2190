"""Follow-up entrypoints: a party member rated unqualified in a democratic appraisal is followed
up (assessments.member_rated_unqualified)."""


class FollowUpEntrypoints:
    pass
