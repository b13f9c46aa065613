"""Backhaul: candidate tower sites, microwave hops (ITU-R P.530), fibre routes and the
graph of routes from every site to the core network."""
