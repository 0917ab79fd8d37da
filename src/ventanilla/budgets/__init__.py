"""Participatory budgets: phases, projects with their technical review and cost, supports, the
secret vote within each district's budget, results reproducible from the ballots, execution."""
