"""Design-space exploration (E-RNN Phase I and II): `ernn-explore`; docs/explore.md."""
