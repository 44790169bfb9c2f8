# gongkai_embed(OUT file...): writes OUT, a C++ file that defines gongkai::embedded::files(), a list of
# (relative path, contents) for each input file. Regenerated whenever an input changes.
set(GONGKAI_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_run.cmake)
function(gongkai_embed out)
  string(REPLACE ";" "|" files "${ARGN}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DROOT=${CMAKE_SOURCE_DIR} -DFILES=${files} -P ${GONGKAI_EMBED_SCRIPT}
    VERBATIM
    DEPENDS ${ARGN} ${GONGKAI_EMBED_SCRIPT}
    COMMENT "Embedding templates, static files and migrations")
endfunction()
