"""Plausible Chinese names, places and distributions for the synthetic city."""

from __future__ import annotations

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
         "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "建国", "志强", "海燕", "文",
         "玉兰", "红", "国庆", "春梅", "卫东", "小龙", "晓东", "宇", "浩", "欣", "思远", "子涵")
# 民族: mostly 汉族, as in most Chinese cities.
ETHNICITIES = (("汉族", 0.92), ("回族", 0.025), ("满族", 0.02), ("壮族", 0.015), ("土家族", 0.01),
               ("苗族", 0.01))
# core.members.models.EDUCATION_LEVELS: 研究生, 本科, 专科, 中专, 高中, 初中及以下.
EDUCATION = (("postgraduate", 0.05), ("bachelor", 0.28), ("college", 0.2),
             ("secondary_vocational", 0.1), ("high_school", 0.15), ("junior_or_below", 0.22))
# 人员类别 / 工作岗位 by sector (the national statistics' categories, in words).
JOBS = {
    "rural": ("农牧渔民", "农牧渔民", "农牧渔民", "乡镇干部", "离退休人员", "外出务工"),
    "community": ("离退休人员", "离退休人员", "社区工作者", "个体工商户", "自由职业人员"),
    "organs": ("机关干部", "机关干部", "机关干部", "专业技术人员"),
    "two_new": ("企业管理人员", "专业技术人员", "工人", "快递员", "外卖骑手", "社会组织从业人员"),
    "soe": ("企业管理人员", "专业技术人员", "工人", "工人"),
}
# Region codes of 公民身份号码 (a few prefectures), for valid-looking synthetic numbers.
REGIONS = ("430102", "430103", "430104", "430105", "430111", "430112", "430121", "430181",
           "430202", "430203", "430204", "430211", "430221", "430223", "430224", "430225")
COUNTY_NAMES = ("城关", "东湖", "西山", "南岭", "北塘", "青山", "白沙", "清水", "红星", "长岭",
                "金桥", "望城", "石门", "桃江", "安化", "宁乡", "浏阳", "湘潭", "韶山", "衡东")
PLACE_SYLLABLES = "桃李杏梅松竹兰菊荷柳桑枫青红白金银玉新和平安康福寿永兴旺隆盛泰昌宁德仁义礼智信"
SERVICE_FUNCTIONS = ("党员活动", "便民服务", "群众说事", "文化活动", "农家书屋", "卫生室", "养老服务",
                     "电商服务")
# Where mobile members went (流动党员外出地点).
DESTINATIONS = ("广东省深圳市（外出务工）", "广东省广州市（外出务工）", "浙江省杭州市（外出经商）",
                "上海市（外出务工）", "江苏省苏州市（外出务工）", "北京市（外出务工）")
# Outsiders who hold a post without being in the register: 第一书记 sent from a department, a
# village's hired accountant.
OUTSIDER_TITLES = ("第一书记", "选派书记")
