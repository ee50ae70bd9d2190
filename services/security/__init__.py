"""The public security service: grids and grid workers, incidents, patrols, mediation,
special populations, petitions."""
