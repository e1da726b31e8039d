"""Running a generation: the request, the loop, schedulers and the events it yields."""
