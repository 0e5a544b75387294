"! <p class="shorttext synchronized">Component names of a structure</p>
"! The one piece of run time type information /UI2/CL_JSON needs, which
"! CL_ABAP_STRUCTDESCR gives on an SAP system.
CLASS zcl_kernel_rtti DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    "! @parameter is_data | a structure
    "! @parameter rt_names | upper case, in declaration order
    CLASS-METHODS component_names
      IMPORTING is_data         TYPE any
      RETURNING VALUE(rt_names) TYPE string_table.
ENDCLASS.

CLASS zcl_kernel_rtti IMPLEMENTATION.

  METHOD component_names.
    DATA lv_names TYPE string.
    WRITE '@KERNEL let field = is_data;'.
    WRITE '@KERNEL while (field && typeof field.getPointer === "function") field = field.getPointer();'.
    WRITE '@KERNEL const value = field && typeof field.get === "function" ? field.get() : undefined;'.
    WRITE '@KERNEL if (value && typeof value === "object") lv_names.set(Object.keys(value).join(" "));'.
    SPLIT to_upper( lv_names ) AT ` ` INTO TABLE rt_names.
    DELETE rt_names WHERE table_line IS INITIAL.
  ENDMETHOD.

ENDCLASS.
