"! <p class="shorttext synchronized">ServiceQuotaExceededException (HTTP 400)</p>
CLASS /aws1/cx_bdrservicequotaexcdex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrclientexc CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrservicequotaexcdex IMPLEMENTATION.
ENDCLASS.
