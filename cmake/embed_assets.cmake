# regua_embed_assets(<target> <function> <dir>): turns every file under <dir> into a byte array in
# a generated source added to <target>, reachable through `std::span<const regua::EmbeddedAsset>
# <function>()` (local/core/embedded_assets.hpp). Pages and scripts then ship inside the binary and
# work with no internet and nothing to install beside it. Each asset carries its content type and an
# ETag (its SHA-256), computed here at build time. Shared by regua-agent and, later, regua-hub.
set(REGUA_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_assets_script.cmake)

function(regua_embed_assets target function dir)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS LIST_DIRECTORIES false "${dir}/*")
  list(SORT files)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${function}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DOUT=${out} -DFUNCTION=${function} -P ${REGUA_EMBED_SCRIPT}
    DEPENDS ${files} ${REGUA_EMBED_SCRIPT}
    COMMENT "Embedding ${dir} as ${function}()"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
