"""Running jobs on an ``sdstudio serve`` server: the wire format and a client without Qt.

The server sends the same payloads the local runner yields, as newline-delimited JSON; the
client turns them back into those payloads and saves the finished images on this machine,
so a front end can run a job here or there with the same code.
"""
