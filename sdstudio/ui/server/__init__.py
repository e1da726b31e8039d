"""Running queued jobs on an ``sdstudio serve`` server: the preference and the jobs sent there."""
