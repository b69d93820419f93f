"""Domain events other features listen to (notices, jobs), so features stay decoupled.

Senders pass the current app as sender (``current_app._get_current_object()``) and keyword
arguments; receivers run inside the same request and transaction.

problem_changed  problem=Problem, action=str (a workflow action name, e.g. "assign",
                 "sign", "answer", "rate", "reopen", "urge", "request_return",
                 "request_extension", "send_back", "review"), actor=User, extra=dict
visit_changed    visit=Visit, action=str ("send_back", "review", "resubmit"), actor=User,
                 extra=dict
"""

from blinker import Namespace

_signals = Namespace()

problem_changed = _signals.signal("problem-changed")
visit_changed = _signals.signal("visit-changed")
