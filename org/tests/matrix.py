from common.testing import access

MATRIX = {
    "org:unit_list": access("office", "leader", "zjj", "zjj_head", "sysadmin"),
}
