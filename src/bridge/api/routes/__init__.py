"""The API's routes, one module per resource, each a module-level ``router`` that ``bridge.api.main``
includes. Routes are thin: they take what the dependencies resolved, call one service method, and return
its public model. No SQL, no contract calls and no locks here: the service does its own serializing."""
