include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS simloop_runtime simloop_sim EXPORT simloopTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY runtime/include/ sim/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT simloopTargets NAMESPACE simloop:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simloop)

configure_package_config_file(cmake/simloopConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/simloopConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simloop)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/simloopConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/simloopConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/simloopConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simloop)

# simloop_add_sweep() and the simloop-sweep runner it calls (tools/).
install(FILES cmake/SimloopSweep.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simloop)
install(PROGRAMS tools/simloop-sweep DESTINATION ${CMAKE_INSTALL_BINDIR})
