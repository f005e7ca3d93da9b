# Fails when a C++ file of the project differs from what clang-format (with .clang-format) writes.
file(GLOB_RECURSE files
  ${SOURCE_DIR}/local/*.cpp ${SOURCE_DIR}/local/*.hpp ${SOURCE_DIR}/sync/*.cpp ${SOURCE_DIR}/sync/*.hpp
  ${SOURCE_DIR}/agent/*.cpp ${SOURCE_DIR}/agent/*.hpp ${SOURCE_DIR}/cloud/*.cpp ${SOURCE_DIR}/cloud/*.hpp
  ${SOURCE_DIR}/tests/*.cpp ${SOURCE_DIR}/tests/*.hpp ${SOURCE_DIR}/bench/*.cpp ${SOURCE_DIR}/bench/*.hpp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files} RESULT_VARIABLE result ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "Some files are not formatted; run: clang-format -i <file>\n${errors}")
endif()
