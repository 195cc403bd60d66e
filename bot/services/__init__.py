"""The domain: one service per area. Services take ids and plain values, never discord objects."""
