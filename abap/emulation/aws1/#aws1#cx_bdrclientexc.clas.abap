"! <p class="shorttext synchronized">Bedrock Runtime: an error caused by the request (4xx)</p>
CLASS /aws1/cx_bdrclientexc DEFINITION PUBLIC INHERITING FROM /aws1/cx_rt_service_generic CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrclientexc IMPLEMENTATION.
ENDCLASS.
