"""Documents a school's programme produces: roadmap, execution report, order, regulation."""
