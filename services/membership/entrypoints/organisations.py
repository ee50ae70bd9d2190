"""Organisation entrypoints: parse, call the use case, return. Nothing else."""
from services.membership import organisations
from shared.entrypoints import handles, rpc


class OrganisationEntrypoints:
    @rpc
    def organisations_create_party_org(self, payload: dict) -> dict:
        return organisations.create_party_org(self.db, payload)

    @rpc
    def organisations_get_party_org(self, org_id) -> dict:
        return organisations.get_party_org(self.db, org_id)

    @rpc
    def organisations_rename_party_org(self, org_id, payload: dict) -> dict:
        return organisations.rename_party_org(self.db, org_id, payload)

    @rpc
    def organisations_dissolve_party_org(self, org_id, payload: dict) -> dict:
        return organisations.dissolve_party_org(self.db, org_id, payload)

    @rpc
    def organisations_list_party_orgs(self, query: dict) -> dict:
        return organisations.list_party_orgs(self.db, query)

    @rpc
    def organisations_list_party_children(self, org_id, query: dict) -> dict:
        return organisations.list_party_children(self.db, org_id, query)

    @rpc
    def organisations_register_civil_org(self, payload: dict) -> dict:
        return organisations.register_civil_org(self.db, payload)

    @rpc
    def organisations_get_civil_org(self, org_id) -> dict:
        return organisations.get_civil_org(self.db, org_id)

    @rpc
    def organisations_change_filing(self, org_id, payload: dict) -> dict:
        return organisations.change_filing(self.db, org_id, payload)

    @rpc
    def organisations_list_civil_orgs(self, query: dict) -> dict:
        return organisations.list_civil_orgs(self.db, query)

    @rpc
    def organisations_civil_summary(self, query: dict) -> dict:
        return organisations.civil_summary(self.db, query)

    @rpc
    def organisations_register_unit(self, payload: dict) -> dict:
        return organisations.register_unit(self.db, payload)

    @rpc
    def organisations_get_unit(self, unit_id) -> dict:
        return organisations.get_unit(self.db, unit_id)

    @rpc
    def organisations_list_units(self, query: dict) -> dict:
        return organisations.list_units(self.db, query)

    @rpc
    def organisations_sign_agreement(self, unit_id, payload: dict) -> dict:
        return organisations.sign_agreement(self.db, unit_id, payload)

    @rpc
    def organisations_end_agreement(self, agreement_id, payload: dict) -> dict:
        return organisations.end_agreement(self.db, agreement_id, payload)

    @rpc
    def organisations_list_agreements(self, query: dict) -> dict:
        return organisations.list_agreements(self.db, query)

    @rpc
    def organisations_list_unit_agreements(self, unit_id, query: dict) -> dict:
        return organisations.list_unit_agreements(self.db, unit_id, query)

    @rpc
    def organisations_create_team(self, payload: dict) -> dict:
        return organisations.create_team(self.db, payload)

    @rpc
    def organisations_get_team(self, team_id) -> dict:
        return organisations.get_team(self.db, team_id)

    @rpc
    def organisations_update_team(self, team_id, payload: dict) -> dict:
        return organisations.update_team(self.db, team_id, payload)

    @rpc
    def organisations_list_teams(self, query: dict) -> dict:
        return organisations.list_teams(self.db, query)

    # Grids re-coded by a community merge take their organisations with them.
    @handles("membership.communities_merged")
    def organisations_follow_merge(self, event: dict) -> dict:
        return organisations.follow_merge(self.db, event["data"]["moves"])
