"""A stand-in for an mpi4py communicator, so the collective logic is tested in one process.

``FakeComm`` is replica 0 of 2; ``partner(send)`` says what replica 1 contributes to each
all-reduce (by default the same array, as an identical replica would).
"""
import numpy as np

from chainrule.distribute.strategy import Strategy


class FakeComm:
    def __init__(self, partner=None, size=2):
        self.partner = partner or (lambda send: send.copy())
        self.size = size
        self.allreduce_calls = []

    def Get_rank(self):
        return 0

    def Get_size(self):
        return self.size

    def Allreduce(self, send, recv):
        self.allreduce_calls.append(send.copy())
        np.copyto(recv, send + self.partner(send))

    def allgather(self, obj):
        return [obj, obj]

    def Bcast(self, buffer, root=0):
        pass

    def bcast(self, obj, root=0):
        return obj


class FakeTwoReplicaStrategy(Strategy):
    """A strategy whose second replica is simulated by ``FakeComm``."""

    def __init__(self, comm=None):
        super().__init__()
        self._comm = comm or FakeComm()
        self._num_replicas = 2
