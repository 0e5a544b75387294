"! <p class="shorttext synchronized">ModelNotReadyException (HTTP 429)</p>
CLASS /aws1/cx_bdrmodelnotreadyex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrclientexc CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrmodelnotreadyex IMPLEMENTATION.
ENDCLASS.
