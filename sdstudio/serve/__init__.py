"""``sdstudio serve``: the engine as a Ray Serve application, for clients on other machines.

An HTTP gateway takes jobs and streams their events; engine replicas (one per GPU or per CPU
slot, each with its model loaded once) run them with the engine's own job runner; a small
job board routes cancels to the replica running the job. Ray is an optional extra
(``pip install "sdstudio[serve]"``); nothing outside this package imports it.
"""
