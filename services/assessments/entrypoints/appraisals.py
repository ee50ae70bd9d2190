"""Appraisal entrypoints: democratic appraisal of party members, "five goods" branch ratings,
commitment cards."""


class AppraisalEntrypoints:
    pass
